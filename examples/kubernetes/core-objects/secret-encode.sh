#!/usr/bin/env bash
# Encode a value for a Secret's `data:` field.
set -euo pipefail
# --8<-- [start:encode]
# -n: no trailing newline, or it becomes part of the secret (bXktYXBpLWtleQo=).
echo -n 'my-api-key' | base64
# --8<-- [end:encode]
# --8<-- [start:decode]
# Anyone can reverse it: base64 hides nothing.
echo 'bXktYXBpLWtleQ==' | base64 --decode
echo
# --8<-- [end:decode]
