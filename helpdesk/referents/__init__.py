"""The référent space: signalements from préfectures and naturalisation platforms."""
