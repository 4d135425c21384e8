import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the boundary protects, for the message ("the key browser"). */
  area: string;
  children: ReactNode;
  /** Changing this (e.g. the open collection) clears a shown error. */
  resetKey?: unknown;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

/** A rendering bug shows a message and a way back, never a white window. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey !== state.resetKey ? { error: null, resetKey: props.resetKey } : null;
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`Strata: ${this.props.area} crashed`, error, info.componentStack);
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="crash" role="alert">
        <h2>Something went wrong in {this.props.area}</h2>
        <p>Your data is not affected: this is a display problem.</p>
        <pre className="crash-detail">{error.message}</pre>
        <button type="button" className="button primary" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
