"""The transformer section of the map: blocks, positional encoding, subword tokenisers."""
