{
  "targets": [
    {
      "target_name": "facemask_stderr_mute",
      "sources": ["stderr_mute.c"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
