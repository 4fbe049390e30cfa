import type { legacySchemas } from './legacy-schemas.js';
import type { v3Schemas } from './v3-schemas.js';

/**
 * The zod schemas of both protocols' frames, loaded when a frame first needs them. The frames a
 * feed is made of are decoded by the scanners and the hand-written checks, which accept no more
 * than the schemas; only a frame they do not plainly accept (a bad frame, an odd spelling) needs
 * the schemas' verdict and wording. zod and the schemas cost some 12 ms of CPU to load, a tenth of
 * a run's start-up, so a run loads them only then: a decoder meeting such a frame first throws
 * SchemasNeeded (FrameDecoder.parse turns it into a 'needs-schemas' result), and the pipeline holds
 * the feed until loadFrameSchemas() has resolved, then decodes the frame again.
 */
export interface FrameSchemas {
  readonly legacy: typeof legacySchemas;
  readonly v3: typeof v3Schemas;
}

/** Thrown by frameSchemas() until the schemas are loaded. */
export class SchemasNeeded extends Error {
  constructor() {
    super('the frame schemas are not loaded yet');
  }
}

/** Thrown by frameSchemas() once loading them failed. */
export class SchemasUnavailable extends Error {}

let loaded: FrameSchemas | undefined;
let loading: Promise<void> | undefined;
/** Why loading failed (a broken install): frames that need the schemas are then bad frames saying so. */
let failure: string | undefined;

/** The schemas. @throws SchemasNeeded before loadFrameSchemas() has resolved, SchemasUnavailable when it failed. */
export function frameSchemas(): FrameSchemas {
  if (loaded !== undefined) return loaded;
  if (failure !== undefined) throw new SchemasUnavailable(`cannot load polo-ws's frame schemas (${failure}): reinstall polo-ws`);
  throw new SchemasNeeded();
}

/** Loads the schemas (once); resolves when frameSchemas() answers, with them or with the failure. Never rejects. */
export function loadFrameSchemas(): Promise<void> {
  loading ??= Promise.all([import('./legacy-schemas.js'), import('./v3-schemas.js')]).then(
    ([legacy, v3]) => {
      loaded = { legacy: legacy.legacySchemas, v3: v3.v3Schemas };
    },
    (error: unknown) => {
      failure = error instanceof Error ? error.message : String(error);
    },
  );
  return loading;
}
