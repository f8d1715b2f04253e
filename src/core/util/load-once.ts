// For packages loaded on first use (docs/architecture.md, Layering): every caller shares one
// loading; a load that failed is tried again by the next caller instead of failing for good.
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
