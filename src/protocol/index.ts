import { LegacyProtocol } from './legacy.js';
import { V3Protocol } from './v3.js';
import type { ApiName, ProtocolAdapter } from './types.js';

/** The exchange's endpoints for each protocol; --rest-url and --ws-url override them. */
export const DEFAULT_ENDPOINTS: Readonly<Record<ApiName, { readonly rest: string; readonly ws: string }>> = {
  legacy: { rest: 'https://poloniex.com', ws: 'wss://api2.poloniex.com' },
  v3: { rest: 'https://api.poloniex.com', ws: 'wss://ws.poloniex.com/ws/public' },
};

/** The adapter for a protocol, talking to the REST base `restUrl`. */
export function createProtocol(api: ApiName, restUrl: string): ProtocolAdapter {
  switch (api) {
    case 'legacy':
      return new LegacyProtocol(restUrl);
    case 'v3':
      return new V3Protocol(restUrl);
  }
}
