# The usual first Dockerfile: everything is copied before the dependencies are installed,
# so any edit to any file reinstalls them.
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
