import { fileURLToPath } from "node:url";

/** The repository root (the Docker build context, and /app in the images). */
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const TERRAFORM_DIR = fileURLToPath(new URL("../../terraform/", import.meta.url));
export const DOCKERFILE = fileURLToPath(new URL("../../docker/Dockerfile", import.meta.url));
export const DOCKERIGNORE = fileURLToPath(new URL("../../../.dockerignore", import.meta.url));
