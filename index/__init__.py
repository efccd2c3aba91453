"""Index: embedding, lexical and vector indexes, ranking."""
