import { Controller, Get, Header } from '@nestjs/common';
import { OPENAPI_DOCUMENT } from './openapi.document';

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>dorc-monitor API</title></head>
<body>
<h1>dorc-monitor API</h1>
<p>The OpenAPI 3 description of this monitor's HTTP API: <a href="openapi.json">openapi.json</a>.</p>
<ul>
${Object.entries(OPENAPI_DOCUMENT.paths)
  .map(([path, item]) => `<li><code>GET ${path}</code>: ${item.get.summary}</li>`)
  .join('\n')}
</ul>
</body>
</html>
`;

/** The API description (`/openapi.json`) and a minimal page pointing to it (`/docs`). */
@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document() {
    return OPENAPI_DOCUMENT;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  docs(): string {
    return DOCS_PAGE;
  }
}
