"""Material's bundle fetches the search index (about 300 KB gzipped, 1 MB of JSON parsed on the
main thread) on every page load. Lighthouse's mobile profile counts that download in the
largest contentful paint whenever the first paint comes after it (3.5 s on Autoscaling), and a
reader who never searches pays it on every page. After these two rewrites (post-build step,
lean_theme.trim_theme_assets) the index is fetched when the reader first opens search:

1. the search worker gets the index on the first opening of the search box, as Material
   already does from file:// (and only once: Material posted it again on every opening,
   so the worker rebuilt its index each time);
2. search.highlight asks for the index only on a page opened from a search result (`?h=`).
"""

from __future__ import annotations

import re

from guidebuild.errors import BuildError

NAME = r"[\w$]+"
# The worker's index: `merge(of(protocol !== "file:"), watchToggle("search")).pipe(filter(x => x)`
WORKER_INDEX = re.compile(
    rf'{NAME}\({NAME}\(location\.protocol!=="file:"\),({NAME})\("search"\)\)\.pipe\(({NAME})'
    rf"\(({NAME})=>\3\)"
)
# `index$ = document.forms.namedItem("search") ? fetchIndex() : NEVER`
INDEX_AND_NEVER = re.compile(
    rf'({NAME})=document\.forms\.namedItem\("search"\)\?{NAME}\(\):({NAME})[,;]'
)
# `search.highlight ? mountHighlight(e, {index$, location$})`
HIGHLIGHT_INDEX = r"(\?{NAME}\(e,\{{index\$:){index}(,location\$:)"
ON_DEMAND_MARK = 'new URLSearchParams(location.search).has("h")?'


def _once(pattern: re.Pattern[str], text: str, what: str, bundle_name: str) -> re.Match[str]:
    found = list(pattern.finditer(text))
    if len(found) != 1:
        raise BuildError(
            f"lazy_search: {bundle_name} has {len(found)} matches for {what}, expected 1; "
            "Material's bundle changed: update the patterns in guidebuild/lazy_search.py"
        )
    return found[0]


def fetch_index_on_demand(bundle: str, bundle_name: str) -> str:
    if ON_DEMAND_MARK in bundle:  # done by an earlier build (`mkdocs serve --dirty`)
        return bundle
    worker = _once(WORKER_INDEX, bundle, "the search worker's index", bundle_name)
    toggle, keep = worker.group(1), worker.group(2)
    # Only the first opening passes: a counter of our own, whatever the minifier named things.
    first_opening = f'{toggle}("search").pipe({keep}(((k=0)=>v=>v&&!k++)())'
    bundle = bundle[: worker.start()] + first_opening + bundle[worker.end() :]
    index, never = _once(INDEX_AND_NEVER, bundle, "the index and NEVER", bundle_name).groups()
    highlight = re.compile(HIGHLIGHT_INDEX.format(NAME=NAME, index=re.escape(index)))
    call = _once(highlight, bundle, "search.highlight's index", bundle_name)
    # Material's own stand-in when a page has no search form: an index that never comes.
    gated = f"{call.group(1)}{ON_DEMAND_MARK}{index}:{never}{call.group(2)}"
    return bundle[: call.start()] + gated + bundle[call.end() :]
