#!/usr/bin/env node
// The bundled CLI (scripts/build.mjs builds it from src/main.ts).
import '../dist/polo-ws.mjs';
