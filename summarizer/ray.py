"""Briefs as a Ray Dataset, for your own Ray pipelines (needs `pip install 'summarizer[ray]'`).

    import ray
    from summarizer import load_settings
    from summarizer.ray import brief_dataset

    articles = ray.data.read_parquet("s3://news/2024/")          # rows with "id" and "text" (or "path")
    briefs = brief_dataset(articles, load_settings(base_url="http://vllm:8000/v1", model="qwen"), actors=8, concurrency=64)
    briefs.write_parquet("s3://briefs/2024/")                    # rows: id, state, error, result (JSON), usage

`summarizer batch --engine ray` runs the same actors and also writes the outputs, manifest and report.
"""

from summarizer.batch.ray import BriefActor, brief_dataset, split_limits

__all__ = ["BriefActor", "brief_dataset", "split_limits"]
