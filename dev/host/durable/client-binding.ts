/**
 * The durable client input binding's value, in the shape the Durable extension gives out-of-process
 * workers (what `df.getClient(context)` parses). `rpcBaseUrl` points at this host's management API,
 * so the client talks to us whatever port we listen on.
 */
export interface DurableClientBindingData {
  taskHubName: string;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
  maxGrpcMessageSizeInBytes: number;
  grpcHttpClientTimeout: string;
}

export const durableWebhookPath = '/runtime/webhooks/durabletask';

/**
 * Where the worker's client calls (`rpcBaseUrl`). The extension serves it on a separate loopback
 * listener that needs no key; dev/host has one port, so the path carries a per-process secret
 * instead, known only to the app it hands the binding to.
 */
export const durableRpcPath = (token: string): string => `/durabletask-rpc/${token}`;

export function durableClientBindingData(origin: string, taskHubName: string, systemKey: string | undefined, rpcToken?: string): DurableClientBindingData {
  const baseUrl = `${origin}${durableWebhookPath}`;
  const code = systemKey ? `&code=${encodeURIComponent(systemKey)}` : '';
  const hubQuery = `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage${code}`;
  const instance = `${baseUrl}/instances/INSTANCEID`;
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?${hubQuery}`,
      createAndWaitOnNewInstancePostUri: `${baseUrl}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${hubQuery}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${hubQuery}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${hubQuery}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${hubQuery}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${hubQuery}`,
      purgeHistoryDeleteUri: `${instance}?${hubQuery}`,
      restartPostUri: `${instance}/restart?${hubQuery}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${hubQuery}`,
      resumePostUri: `${instance}/resume?reason={text}&${hubQuery}`,
    },
    baseUrl,
    requiredQueryStringParameters: hubQuery,
    rpcBaseUrl: rpcToken ? `${origin}${durableRpcPath(rpcToken)}/` : `${baseUrl}/`,
    httpBaseUrl: `${baseUrl}/`,
    maxGrpcMessageSizeInBytes: 0,
    grpcHttpClientTimeout: '00:01:40',
  };
}
