"""What every test folder shares (tests/support/): the engine fixtures, each started once per
test session only when a selected test needs it and always stopped, and `page_output`, which
keeps the output a page shows equal to a real run, and one Chromium for the tests that look
at what the build made."""

pytest_plugins = [
    "tests.support.spark_session",
    "tests.support.flink_gateway",
    "tests.support.ray_head",
    "tests.support.mlflow_server",
    "tests.support.llm_server",
    "tests.support.prometheus",
    "tests.support.outputs",
    "tests.support.browser",
]
