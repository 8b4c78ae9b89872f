import { app } from '@azure/functions';
import { appConfig, ConfigError } from '../config.js';

/**
 * Validates every setting when the app starts, so a missing or malformed one stops start-up with
 * one clear line instead of failing the first run half-way.
 */
app.hook.appStart(() => {
  try {
    appConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`finetune-pipeline: ${error.message}`);
    throw error;
  }
});
