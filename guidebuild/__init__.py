"""The field guide's build: everything between the sources and what readers get.

`overrides/` holds the theme (templates and partials), `docs/` and `examples/` the content, and
this package the build. MkDocs loads one module of it, `mkdocs_hooks`; the other modules are
plain Python that the hooks, the nox sessions and the tests share:

- `includes`, `shortcodes`, `quiz` (the data model) and `quiz_html`: what pages say;
- `notebooks`, `lean_theme`, `css_purge`: per-page HTML rewrites during the build;
- `postbuild` (`figures`, theme assets, `mermaid`): the one step every built site goes through;
- `site`: a strict MkDocs build followed by that step;
- `pdf`, `offline`, `deck`, `links`, `audit`, `zensical`: the outputs and their checks.
"""
