"""Networks and the registry of the models heritagekit ships."""
