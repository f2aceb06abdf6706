import { useEffect, useState } from 'react';
import { ApiFailure, api } from './api';

/** Loads JSON for a page: data, an error message, or still loading; `reload` fetches again. */
export function useLoad<T>(url: string | null) {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: url !== null,
  });
  const [version, setVersion] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` forces a reload
  useEffect(() => {
    if (url === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api
      .get<T>(url)
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch(
        (e: unknown) =>
          live &&
          setState({
            data: null,
            error: e instanceof ApiFailure ? e.message : 'This could not be loaded. Please try again.',
            loading: false,
          }),
      );
    return () => {
      live = false;
    };
  }, [url, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

export function LoadError({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div role="alert" className="error-summary">
      <p>{message}</p>
      {retry ? (
        <button type="button" className="button button-secondary" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
