"""The engine fixtures every test folder shares (tests/support/). Each engine starts once per
test session, only when a selected test needs it, and is always stopped."""

pytest_plugins = [
    "tests.support.spark_session",
    "tests.support.flink_gateway",
    "tests.support.ray_head",
    "tests.support.mlflow_server",
]
