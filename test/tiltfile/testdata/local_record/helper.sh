#!/bin/sh
# Stands in for a native helper the Tiltfiles call at load time: prints JSON.
printf '{"apps": ["%s-a", "%s-b"], "cwd": "%s"}\n' "$1" "$1" "$(basename "$PWD")"
