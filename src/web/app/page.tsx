import { type ReactNode, useEffect, useRef } from 'react';
import { Link } from 'wouter';

let firstPage = true;

/** Sets the tab title for the current page ("Sign in – Upstander"). */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} – Upstander` : 'Upstander';
  }, [title]);
}

/**
 * Every page starts with this: it sets document.title, renders the page's single h1 and, after a
 * client-side navigation, moves focus to that h1 so screen readers announce the new page.
 */
export function Page({
  title,
  heading,
  lead,
  children,
  className,
}: {
  /** Used for the tab title and (unless `heading` is given) the h1. */
  title: string;
  heading?: ReactNode;
  lead?: ReactNode;
  children?: ReactNode;
  className?: string;
}) {
  usePageTitle(title);
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) {
      firstPage = false;
      return;
    }
    ref.current?.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }, []);
  return (
    <div className={className ? `page ${className}` : 'page'}>
      <h1 ref={ref} tabIndex={-1}>
        {heading ?? title}
      </h1>
      {lead ? <p className="lead">{lead}</p> : null}
      {children}
    </div>
  );
}

/** A page-level loading line, announced politely. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p role="status" className="loading">
      {what}…
    </p>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. If you typed it, check it; if you followed a link, it may be old.
      </p>
      <p>
        <Link href="/">Go to the home page</Link>
      </p>
    </Page>
  );
}
