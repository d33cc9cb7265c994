{{/* The chart's name, at most 63 characters (a label value). */}}
{{- define "dorc-monitor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the release's objects; the release name alone when it already holds the chart's. */}}
{{- define "dorc-monitor.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "dorc-monitor.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "dorc-monitor.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "dorc-monitor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "dorc-monitor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dorc-monitor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "dorc-monitor.labels" -}}
helm.sh/chart: {{ include "dorc-monitor.chart" . }}
{{ include "dorc-monitor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "dorc-monitor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dorc-monitor.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dorc-monitor.secretName" -}}
{{- default (include "dorc-monitor.fullname" .) .Values.existingSecret.name }}
{{- end }}

{{- define "dorc-monitor.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Settings the schema cannot check because they relate two values. Kubernetes kills a pod when
its grace period ends, so the monitor's own shutdown grace must end first; and replicas only
share work safely through HA locks and one shared database.
*/}}
{{- define "dorc-monitor.validate" -}}
{{- $grace := int .Values.terminationGracePeriodSeconds }}
{{- $shutdown := int (default 30 .Values.settings.ShutdownGraceSeconds) }}
{{- if le $grace $shutdown }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than settings.ShutdownGraceSeconds (%d), or Kubernetes kills running deployments before the monitor has stopped them and released its locks" $grace $shutdown) }}
{{- end }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- if not .Values.settings.HighAvailability.Enabled }}
{{- fail "replicaCount above 1 needs settings.HighAvailability.Enabled: true, or every replica runs every environment" }}
{{- end }}
{{- if eq .Values.settings.Database.Type "sqlite" }}
{{- fail "replicaCount above 1 needs a shared database (settings.Database.Type postgres or mssql), not a SQLite file per pod" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret settings, each from existingSecret when its key is set. */}}
{{- define "dorc-monitor.secretEnv" -}}
{{- $secret := include "dorc-monitor.secretName" . }}
{{- $keys := .Values.existingSecret.keys }}
{{- $rabbit := .Values.settings.HighAvailability.RabbitMQ }}
{{- if $keys.databaseConnectionString }}
- name: AppSettings__Database__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.databaseConnectionString | quote }}
{{- end }}
{{- if .Values.settings.HighAvailability.Enabled }}
{{- if and (eq $rabbit.AuthMode "OAuth") $keys.oauthPassword }}
- name: AppSettings__HighAvailability__RabbitMQ__OAuth__Password
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.oauthPassword | quote }}
{{- end }}
{{- if and (eq $rabbit.AuthMode "OAuth") $keys.oauthClientSecret }}
- name: AppSettings__HighAvailability__RabbitMQ__OAuth__ClientSecret
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.oauthClientSecret | quote }}
{{- end }}
{{- if and (eq $rabbit.AuthMode "Plain") $keys.rabbitmqPassword }}
- name: AppSettings__HighAvailability__RabbitMQ__Password
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $keys.rabbitmqPassword | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The scripts volume's source: a ConfigMap (the chart's or yours), a claim, or an empty dir. */}}
{{- define "dorc-monitor.scriptsVolume" -}}
{{- $scripts := .Values.scripts }}
{{- if eq $scripts.source "configMap" }}
configMap:
  name: {{ default (printf "%s-scripts" (include "dorc-monitor.fullname" .)) $scripts.configMapName }}
{{- else if eq $scripts.source "persistentVolumeClaim" }}
persistentVolumeClaim:
  claimName: {{ required "scripts.claimName is required when scripts.source is persistentVolumeClaim" $scripts.claimName }}
  readOnly: true
{{- else if eq $scripts.source "emptyDir" }}
emptyDir: {}
{{- else }}
{{- fail (printf "scripts.source must be configMap, persistentVolumeClaim or emptyDir, not %q" $scripts.source) }}
{{- end }}
{{- end }}
