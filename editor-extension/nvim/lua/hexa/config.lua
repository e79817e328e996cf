---Options of `require("hexa").setup()` and their defaults.

---@class hexa.Config
---@field path string The `hexa` binary, a name on `PATH` or a file path.
---@field python? string Python interpreter or virtual environment for marimo (`hexa --python`).
---@field filetypes string[] Filetypes that get the server; `python` buffers only when they are hexa notebooks.
---@field root_markers string[] Files that mark the project root the server starts in.
---@field settings table Passed to the server as `initializationOptions`.

---@class hexa.Options
---@field path? string
---@field python? string
---@field filetypes? string[]
---@field root_markers? string[]
---@field settings? table

local M = {}

---@type hexa.Config
M.defaults = {
  path = "hexa",
  python = nil,
  filetypes = { "mermaid", "markdown", "python" },
  root_markers = { ".git", "pyproject.toml", ".venv" },
  settings = {},
}

---@type hexa.Config
M.current = vim.deepcopy(M.defaults)

---Checks the types of user options; returns an error message or nil.
---@param options hexa.Options
---@return string|nil
function M.validate(options)
  local ok, message = pcall(vim.validate, {
    path = { options.path, "string", true },
    python = { options.python, "string", true },
    filetypes = { options.filetypes, "table", true },
    root_markers = { options.root_markers, "table", true },
    settings = { options.settings, "table", true },
  })
  if ok then
    return nil
  end
  return message
end

---Merges `options` over the defaults and stores the result as the current config.
---@param options? hexa.Options
---@return hexa.Config
function M.apply(options)
  options = options or {}
  local problem = M.validate(options)
  if problem then
    error("hexa.setup: " .. problem, 2)
  end
  M.current = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), options)
  return M.current
end

---Builds the command line that starts the language server.
---@param config hexa.Config
---@return string[]
function M.server_cmd(config)
  local cmd = { vim.fn.expand(config.path) }
  if config.python and config.python ~= "" then
    vim.list_extend(cmd, { "--python", vim.fn.expand(config.python) })
  end
  table.insert(cmd, "lsp")
  return cmd
end

return M
