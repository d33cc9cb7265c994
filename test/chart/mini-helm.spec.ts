import { TemplateEngine } from '../support/mini-helm-engine';

/** Renders one inline template against `dot`, the way Helm renders a chart file. */
function render(source: string, dot: unknown = {}, helpers = ''): string {
  const engine = new TemplateEngine();
  if (helpers) engine.addFile('_helpers.tpl', helpers);
  engine.addFile('test.yaml', source);
  return engine.render('test.yaml', dot);
}

describe('mini-helm renderer', () => {
  it('trims whitespace on the dashed side of an action only', () => {
    expect(render('a  {{- "b" }}  c')).toBe('ab  c');
    expect(render('a\n  {{ "b" -}}\n  c')).toBe('a\n  bc');
    expect(render('x\n{{- /* a comment */ -}}\ny')).toBe('xy');
  });

  it('refuses an unknown function even in a branch that never runs', () => {
    expect(() => render('{{ if false }}{{ frobnicate . }}{{ end }}')).toThrow(
      'function "frobnicate" not defined',
    );
  });

  it('refuses syntax it does not implement instead of ignoring it', () => {
    expect(() => render('{{ template "x" . }}')).toThrow('not supported');
    expect(() => render('{{ if true }}open')).toThrow('no {{end}}');
  });

  it('prints a missing key as empty but fails on a field of nil, like Helm', () => {
    expect(render('[{{ .Values.missing }}]', { Values: {} })).toBe('[]');
    expect(() => render('{{ .Values.missing.deeper }}', { Values: {} })).toThrow('nil pointer');
  });

  it('ranges over a map in key order with key and value variables, else when empty', () => {
    const template = '{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ else }}none{{ end }}';
    expect(render(template, { m: { b: 2, a: 1 } })).toBe('a=1;b=2;');
    expect(render(template, { m: {} })).toBe('none');
  });

  it('keeps $ as the root inside with and range', () => {
    const template = '{{ with .inner }}{{ .name }}/{{ $.top }}{{ end }}';
    expect(render(template, { top: 'root', inner: { name: 'child' } })).toBe('child/root');
  });

  it('compares a values number with a template integer only through int', () => {
    expect(() => render('{{ if gt .n 1 }}many{{ end }}', { n: 2 })).toThrow('incompatible types');
    expect(render('{{ if gt (int .n) 1 }}many{{ end }}', { n: 2 })).toBe('many');
    expect(render('{{ if eq .t "sqlite" }}file{{ end }}', { t: 'sqlite' })).toBe('file');
  });

  it('prints large float values in Go notation', () => {
    expect(render('{{ .a }} {{ .b }} {{ .c }}', { a: 45, b: 1000000, c: 0.5 })).toBe(
      '45 1e+06 0.5',
    );
  });

  it('renders toYaml with sorted keys and nindent', () => {
    const dot = { v: { b: ['x', 'on'], a: 1 } };
    expect(render('k:{{ toYaml .v | nindent 2 }}', dot)).toBe('k:\n  a: 1\n  b:\n  - x\n  - "on"');
  });

  it('applies default, required, quote, printf and fail', () => {
    expect(render('{{ .x | default "d" }} {{ .y | default "d" }}', { x: '', y: 'set' })).toBe(
      'd set',
    );
    expect(render('{{ 5 | quote }} {{ printf "%s-%d" "a" 3 }}')).toBe('"5" a-3');
    expect(() => render('{{ required "x is needed" .x }}', {})).toThrow('x is needed');
    expect(() => render('{{ fail "stop here" }}')).toThrow('stop here');
  });

  it('includes defined templates with the context given', () => {
    const helpers = '{{- define "greet" -}}hello {{ .name }}{{- end }}';
    expect(render('{{ include "greet" .inner }}!', { inner: { name: 'dorc' } }, helpers)).toBe(
      'hello dorc!',
    );
    expect(() => render('{{ include "missing" . }}')).toThrow('no template "missing"');
  });

  it('stops and/or at the deciding operand, so later operands may be invalid', () => {
    expect(render('{{ if and false .x.y }}yes{{ else }}no{{ end }}', {})).toBe('no');
    expect(render('{{ or "" "fallback" }}')).toBe('fallback');
  });

  it('scopes variables to their block and lets = change an outer one', () => {
    const template =
      '{{ $a := "outer" }}{{ if true }}{{ $a = "changed" }}{{ $b := 1 }}{{ end }}{{ $a }}';
    expect(render(template)).toBe('changed');
    expect(() => render('{{ if true }}{{ $b := 1 }}{{ end }}{{ $b }}')).toThrow(
      'undefined variable',
    );
  });
});
