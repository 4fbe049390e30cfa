#!/usr/bin/env node
// The bundled CLI (scripts/bundle.mjs builds it from dist/main.js).
import '../dist/polo-ws.mjs';
