def test_import():
    import ray
    import vaderSentiment
    print(ray.__version__)
