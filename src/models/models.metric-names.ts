/** Names of the models feature's event metrics (registered in models.metrics.ts, recorded by ModelsService). */
export const MODEL_LOADS_TOTAL = 'classifier_model_loads_total';
export const MODEL_LOAD_SECONDS = 'classifier_model_load_seconds';
export const MODEL_SWAP_SECONDS = 'classifier_model_swap_seconds';
export const MODEL_SWAPS_TOTAL = 'classifier_model_swaps_total';
export const SHADOW_COMPARED_TOTAL = 'classifier_shadow_compared_total';
export const SHADOW_AGREED_TOTAL = 'classifier_shadow_agreed_total';
export const SHADOW_DROPPED_TOTAL = 'classifier_shadow_dropped_total';
