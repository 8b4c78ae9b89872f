import * as df from 'durable-functions';
import { checkCapacity, type Capacity, type CapacityRequest } from '../../aliases/capacity.js';
import { runActivity } from '../activity-result.js';
import { getServices } from '../../services.js';

export const CHECK_CAPACITY = 'checkCapacity';
export type CheckCapacityInput = CapacityRequest;
export type { Capacity };

/** Deployment name rules and quota (see aliases/capacity.ts). */
df.app.activity(CHECK_CAPACITY, {
  handler: (input: CheckCapacityInput) => runActivity(() => checkCapacity(getServices(), input)),
});
