#!/usr/bin/env bash
set -euo pipefail
echo "Deploying ${ComponentName} to ${EnvironmentName} (IsProd=${IsProd})"
sleep "${StepSeconds:-1}"
echo "${ComponentName} deployed"
