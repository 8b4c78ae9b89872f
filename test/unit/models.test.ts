import { describe, expect, it } from 'vitest';
import { baseModelOf, findModel, methodRefusal, MODEL_CATALOG, modelsSupporting, resolveModel, UnknownModelError, visionModels } from '../../src/validation/models.js';

describe('model catalog', () => {
  it.each([
    ['gpt-35-turbo-0613', 'cl100k_base', 4_096],
    ['gpt-35-turbo-1106', 'cl100k_base', 16_385],
    ['gpt-35-turbo-0125', 'cl100k_base', 16_385],
    ['gpt-4o-mini-2024-07-18', 'o200k_base', 65_536],
    ['gpt-4o-2024-08-06', 'o200k_base', 65_536],
    ['gpt-4.1-2025-04-14', 'o200k_base', 65_536],
    ['gpt-4.1-mini-2025-04-14', 'o200k_base', 65_536],
    ['gpt-4.1-nano-2025-04-14', 'o200k_base', 32_768],
    ['o4-mini-2025-04-16', 'o200k_base', 65_536],
    ['gpt-4o-mini', 'o200k_base', 65_536],
    ['gpt-4.1-nano', 'o200k_base', 32_768],
  ])('%s → %s, %i tokens per example', (name, encoding, limit) => {
    expect(resolveModel(name)).toMatchObject({ encoding, maxExampleTokens: limit });
  });

  it('resolves fine-tuned models to their base (continued fine-tuning)', () => {
    expect(baseModelOf('gpt-4o-mini-2024-07-18.ft-0123456789abcdef')).toBe('gpt-4o-mini-2024-07-18');
    expect(baseModelOf('ft:gpt-4.1-mini-2025-04-14:contoso::abc123')).toBe('gpt-4.1-mini-2025-04-14');
    expect(resolveModel('gpt-35-turbo-0613.ft-deadbeef').maxExampleTokens).toBe(4_096);
  });

  it('rejects unknown models with a message listing the known ones, unless overridden', () => {
    expect(() => resolveModel('gpt-9')).toThrow(UnknownModelError);
    expect(() => resolveModel('gpt-9')).toThrow(MODEL_CATALOG.map((m) => m.id).join(', '));
    expect(resolveModel('gpt-9', { encoding: 'o200k_base', maxExampleTokens: 1000 })).toEqual({ id: 'gpt-9', encoding: 'o200k_base', maxExampleTokens: 1000 });
  });

  it('says which methods, modalities and training types Azure documents per model', () => {
    expect(modelsSupporting('supervised')).toEqual(['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'gpt-4.1-2025-04-14', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-nano-2025-04-14']);
    expect(modelsSupporting('dpo')).toEqual(['gpt-4o-2024-08-06', 'gpt-4.1-2025-04-14', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-nano-2025-04-14']);
    expect(modelsSupporting('reinforcement')).toEqual(['o4-mini-2025-04-16']);
    expect(visionModels()).toEqual(['gpt-4o-2024-08-06', 'gpt-4.1-2025-04-14']);
    expect(findModel('o4-mini')!.trainingTypes).toEqual({ Standard: true, GlobalStandard: false });
    expect(MODEL_CATALOG.filter((m) => m.retired).map((m) => m.id)).toEqual(['gpt-35-turbo-0613', 'gpt-35-turbo-1106', 'gpt-35-turbo-0125']);
  });

  it('a refused method names the models that support it', () => {
    expect(methodRefusal(findModel('o4-mini')!, 'supervised')).toBe(
      'o4-mini-2025-04-16 does not support supervised fine-tuning (it supports reinforcement); models that support supervised: ' +
        'gpt-4o-mini-2024-07-18, gpt-4o-2024-08-06, gpt-4.1-2025-04-14, gpt-4.1-mini-2025-04-14, gpt-4.1-nano-2025-04-14',
    );
    expect(methodRefusal(findModel('gpt-4.1-nano')!, 'dpo')).toBeUndefined();
    expect(methodRefusal(findModel('gpt-35-turbo')!, 'supervised')).toMatch(/^fine-tuning gpt-35-turbo-0125 is no longer offered/);
  });
});
