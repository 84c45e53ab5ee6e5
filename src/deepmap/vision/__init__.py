"""deepmap.vision: the map's CNN labs in PyTorch (DigitCNN, ChestCNN) and their data."""
