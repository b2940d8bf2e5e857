# module.media (EFS) gained a count with media_store: an environment created
# before keeps its file system, now module.media[0]. With media_store = "s3"
# and no media_migration there is no module.media[0], and the plan destroys
# the file system: migrate the images first (README.md, "Media storage").
# Delete this block once every state has been applied past it.
moved {
  from = module.media
  to   = module.media[0]
}
