"""Scripts that (re)build the eval's data files from the corpus."""
