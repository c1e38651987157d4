/** The visible steps of a retrieval, in order (kept apart from the crypto so pages load light). */
export type RetrievalStep = 'device' | 'policy' | 'signing' | 'history' | 'saved' | 'confirmed';
export const RETRIEVAL_STEPS: RetrievalStep[] = ['device', 'policy', 'signing', 'history', 'saved', 'confirmed'];
