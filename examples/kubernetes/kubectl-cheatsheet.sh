#!/usr/bin/env bash
# kubectl first aid. Set POD to the pod you are looking at: POD=ml-inference bash kubectl-cheatsheet.sh
# (or copy one line at a time). A placeholder like <pod-name> does not work in a shell: `<` and
# `>` are redirections, and bash stops with "syntax error near unexpected token `newline'".
set -euo pipefail
POD="${POD:?set POD to a pod name, e.g. POD=ml-inference}"

# Get all pods with node info (node, pod IP, nominated node)
kubectl get pods -o wide

# Describe a problematic pod: its events say why it is Pending, crashing or not ready
kubectl describe pod "$POD"

# Tail logs (add --previous for the container that just crashed, -c NAME for one container)
kubectl logs -f "$POD"

# Exec into the container (many images have no bash: try sh)
kubectl exec -it "$POD" -- /bin/bash

# Get events sorted by time
kubectl get events --sort-by='.lastTimestamp'

# Events oldest first by their real time, also those with no lastTimestamp (only eventTime)
kubectl events

# Node pressure at a glance (needs metrics-server)
kubectl top nodes
