"""The one error type of the build."""


class BuildError(RuntimeError):
    """A failure a reader can act on: it names the file, the page or the fix. Commands print it
    without a traceback; the MkDocs hooks turn it into a PluginError."""
