"""`python -m rhetorscope.schema` regenerates the corpus schema files."""

from rhetorscope.schema import write_corpus_schemas

write_corpus_schemas()
