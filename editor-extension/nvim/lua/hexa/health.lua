---`:checkhealth hexa`: Neovim version, the hexa binary, and the server's state.

local M = {}

function M.check()
  local health = vim.health
  local config = require("hexa.config").current

  health.start("hexa")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.11 or newer is required", { "Update Neovim" })
  end

  if vim.g.hexa_setup_done then
    health.ok("setup() was called")
  else
    health.warn("setup() was not called", { 'Add require("hexa").setup({}) to your config' })
  end

  local cmd = require("hexa.config").server_cmd(config)
  local binary = vim.fn.exepath(cmd[1])
  if binary == "" then
    health.error(("`%s` was not found"):format(cmd[1]), {
      "Build it with `cargo build --release -p hexa` and put it on PATH",
      'or set path = "/path/to/hexa" in setup()',
    })
  else
    local result = vim.system({ binary, "--version" }, { text = true }):wait(5000)
    if result.code == 0 then
      health.ok(("%s (%s)"):format(vim.trim(result.stdout or ""), binary))
    else
      health.error(("`%s --version` failed: %s"):format(binary, vim.trim(result.stderr or "")))
    end
  end
  health.info("server command: " .. table.concat(cmd, " "))

  local clients = vim.lsp.get_clients({ name = require("hexa.lsp").name })
  if #clients == 0 then
    health.info("no hexa server is running (open a .mmd file)")
  end
  for _, client in ipairs(clients) do
    health.ok(("server %d running in %s"):format(client.id, client.root_dir or "?"))
  end
end

return M
