// Small shared pieces: a modal, a field with its server error, a notice line.
export function Modal({ title, children, onClose }) {
  return (
    <div class="modal-back" onClick={(e) => e.target === e.currentTarget && onClose && onClose()}>
      <div class="modal" role="dialog" aria-label={title}>
        <h3>{title}</h3>
        {children}
      </div>
    </div>
  );
}

export function Field({ label, error, children, hint }) {
  return (
    <label class={error ? 'field has-error' : 'field'}>
      <span class="field-label">{label}</span>
      {children}
      {hint && !error && <span class="hint">{hint}</span>}
      {error && <span class="field-error">{error}</span>}
    </label>
  );
}

export function Notice({ error, ok }) {
  if (error) return <div class="notice error">{String(error.message || error)}</div>;
  if (ok) return <div class="notice ok">{ok}</div>;
  return null;
}

export function Confirm({ text, onYes, onNo }) {
  return (
    <Modal title="Please confirm" onClose={onNo}>
      <p>{text}</p>
      <div class="actions">
        <button class="danger" onClick={onYes}>Delete</button>
        <button onClick={onNo}>Cancel</button>
      </div>
    </Modal>
  );
}

// The server names a bad member in error.param: "weight", "rate_limit.burst", "model_mapping.a(".
export function errorFor(error, name) {
  if (!error || !error.param) return null;
  return error.param === name || error.param.startsWith(`${name}.`) ? error.message : null;
}
