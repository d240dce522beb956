"""Reading what a flow run showed in the UI: its latest artifact by key."""

from __future__ import annotations


def latest_artifact(key: str) -> str:
    """The markdown of the newest artifact with this key, from the test's Prefect API."""
    # (prefect.artifacts.Artifact.get opens a client it never closes: read it here.)
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            limit=1,
            sort=ArtifactSort.UPDATED_DESC,
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
        )
    assert isinstance(artifact.data, str)
    return artifact.data
