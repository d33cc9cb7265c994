#!/usr/bin/env bash
# Example component: every resolved property arrives as an environment variable.
set -euo pipefail
echo "Migrating the ${EnvironmentName} database for build ${BuildNumber:-unknown} (request ${DeploymentRequestId})"
sleep "${StepSeconds:-1}"
echo "Database is up to date"
