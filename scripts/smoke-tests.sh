#!/usr/bin/env bash
set -euo pipefail
echo "Running smoke tests against ${EnvironmentName}"
sleep "${StepSeconds:-1}"
echo "All smoke tests passed"
