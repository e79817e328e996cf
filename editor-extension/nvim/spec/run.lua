-- Runs every *_spec.lua next to this file: nvim --headless -l spec/run.lua
local here = vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, "S").source:sub(2)))
local root = vim.fs.dirname(here)
vim.opt.runtimepath:prepend(root)
package.path = here .. "/?.lua;" .. package.path

local harness = require("harness")
for name, kind in vim.fs.dir(here) do
  if kind == "file" and name:match("_spec%.lua$") then
    dofile(here .. "/" .. name)
  end
end
harness.finish()
