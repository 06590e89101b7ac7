export interface SpinnerProps {
  /** Announced to assistive technology; omit when the surrounding text already says it. */
  label?: string;
}

export function Spinner({ label }: SpinnerProps) {
  if (!label) return <span className="spinner" aria-hidden="true" />;
  return (
    <output className="spinner">
      <span className="visually-hidden">{label}</span>
    </output>
  );
}
