"""gka-match: match a local challenge to proven interventions and GKA-agenda\x27s."""
