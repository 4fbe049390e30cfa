import { loadFrameSchemas } from '../src/protocol/frame-schemas.js';

// A run loads the frame schemas when a frame first needs them (the pipeline waits for them); tests
// call the decoders directly, synchronously, so every test file starts with them loaded.
// test/frame-schemas.test.ts covers the lazy path with modules of its own.
await loadFrameSchemas();
