"""Pure rules of the accountability workflows (statuses, moves, ageing) and who may change what: no SQL, no st."""
