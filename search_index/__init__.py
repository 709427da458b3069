"""Full-text search over help articles and community posts: text analysis for the index."""
