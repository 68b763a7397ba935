"""Retraining from the officer page: train in the background, score the old and new model on the bench sets,
and switch the running bot to the new model without a restart.

- `status`: the job's progress, kept in a small JSON file so every web worker and the background process
  agree on it;
- `job`: the stages (score the current model, train, score the new one, switch), with the trainer, the
  scorer and the model loader passed in, so tests can run them without Rasa;
- `launch`: one job at a time (a file lock the background process inherits) and the process that runs it;
- `bench`: the accuracy of one model on the bench sets; `rasa_loader`: `PUT /model` on each Rasa server.
"""
