"""Data: the model, validation, the store, import and export."""
